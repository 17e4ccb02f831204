import { StringDecoder } from 'node:string_decoder';
import { CliError, type CliIo } from './io';

type Terminal = CliIo['stdin'] & { setRawMode: (raw: boolean) => unknown };

export function isTerminal(stdin: CliIo['stdin']): stdin is Terminal {
  return stdin.isTTY === true && typeof stdin.setRawMode === 'function';
}

/**
 * Reads lines from a terminal without echoing them: raw mode turns the terminal's echo off,
 * and this loop does the little line editing a password needs (backspace, Ctrl-U).
 * Lines typed or pasted ahead are kept for the next prompt. `close()` restores the terminal.
 */
export function hiddenLineReader(terminal: Terminal, io: CliIo) {
  const decoder = new StringDecoder('utf8');
  const lines: string[] = [];
  let current = '';
  let ended: CliError | undefined;
  let wake: (() => void) | undefined;

  const onData = (chunk: Buffer | string) => {
    for (const char of typeof chunk === 'string' ? chunk : decoder.write(chunk)) {
      if (char === '\r' || char === '\n') {
        lines.push(current);
        current = '';
      } else if (char === '\u0003') {
        ended ??= new CliError('Cancelled; nothing was changed.', 130);
      } else if (char === '\u0004' && current === '') {
        ended ??= new CliError('No password given (Ctrl-D); nothing was changed.');
      } else if (char === '\u007f' || char === '\b') {
        current = Array.from(current).slice(0, -1).join('');
      } else if (char === '\u0015') {
        current = '';
      } else {
        current += char; // other control characters are kept, and refused by the password rules
      }
    }
    wake?.();
  };
  const onEnd = () => {
    ended ??= new CliError('The terminal closed before a password was given; nothing was changed.');
    wake?.();
  };

  terminal.setRawMode(true);
  terminal.on('data', onData);
  terminal.on('end', onEnd);
  terminal.resume();

  return {
    async read(prompt: string): Promise<string> {
      io.stderr(prompt);
      while (lines.length === 0 && ended === undefined) await new Promise<void>((resolve) => (wake = resolve));
      io.stderr('\n');
      const line = lines.shift();
      if (line === undefined) throw ended as CliError;
      return line;
    },
    close(): void {
      terminal.removeListener('data', onData);
      terminal.removeListener('end', onEnd);
      terminal.setRawMode(false);
      terminal.pause();
    },
  };
}

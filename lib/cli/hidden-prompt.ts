import { onInterrupt } from './interrupt';
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
export function hiddenLineReader(terminal: Terminal, io: CliIo, notUtf8: string) {
  const lines: string[] = [];
  let current = '';
  let ended: CliError | undefined;
  let wake: (() => void) | undefined;
  // Fatal: a terminal in another encoding (Latin-1) must not turn what was typed into U+FFFD.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk: Buffer | string): string => {
    if (typeof chunk === 'string') return chunk;
    try {
      return decoder.decode(chunk, { stream: true });
    } catch {
      ended ??= new CliError(notUtf8);
      return '';
    }
  };

  const onData = (chunk: Buffer | string) => {
    for (const char of decode(chunk)) {
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
  const forget = onInterrupt(() => terminal.setRawMode(false)); // SIGTERM mid-prompt: the terminal echoes again
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
      forget();
      terminal.removeListener('data', onData);
      terminal.removeListener('end', onEnd);
      terminal.setRawMode(false);
      terminal.pause();
    },
  };
}

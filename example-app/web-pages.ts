import path from 'node:path';
import express, { type RequestHandler } from 'express';

/** The login page and the workspaces page: plain files next to this module (tsx and ts-jest both give `__dirname`). */
export const PUBLIC_DIR = path.join(__dirname, 'public');

/**
 * The pages load only their own scripts and styles, so an injected `<script>` would not run:
 * the access token in sessionStorage is worth protecting. No referrer leaves the site.
 */
const pageHeaders: RequestHandler = function pageHeaders(_req, res, next) {
  res.set({
    'Content-Security-Policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
};

/** Serves the web pages: `/` (login) and `/workspaces`. */
export function webPages(): RequestHandler[] {
  return [pageHeaders, express.static(PUBLIC_DIR, { extensions: ['html'], index: 'index.html' })];
}

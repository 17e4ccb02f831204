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

const FAVICON = path.join(PUBLIC_DIR, 'favicon.svg');

/**
 * Browsers and other tools ask for `/favicon.ico` whatever a page links: the SVG icon
 * answers it too (with its own type, image/svg+xml), so the log shows no 404 for it.
 */
const faviconIco: RequestHandler = function faviconIco(req, res, next) {
  if (req.path !== '/favicon.ico' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
  res.sendFile(FAVICON, { maxAge: '1d' }, (error) => {
    if (error) next(error);
  });
};

/** Serves the web pages: `/` (login) and `/workspaces`, and their icon. */
export function webPages(): RequestHandler[] {
  return [pageHeaders, faviconIco, express.static(PUBLIC_DIR, { extensions: ['html'], index: 'index.html' })];
}

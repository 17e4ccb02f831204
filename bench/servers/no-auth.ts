/** The baseline of part 1: Express 5 and the trivial handler, no auth at all. */
import express from 'express';
import { hello, serve } from './harness';

const app = express();
app.get('/guarded', hello);
serve(app, { loadMs: 0, users: 0 });

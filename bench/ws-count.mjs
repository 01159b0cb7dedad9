// SPDX-License-Identifier: GPL-3.0-or-later
// Node's `ws` package as a WebSocket client: counts N text messages, then closes.
// Usage: node bench/ws-count.mjs URL N   (prints one JSON line)
import WebSocket from 'ws';

const [url, wanted] = process.argv.slice(2);
const n = Number(wanted);
if (!url || !(n > 0)) {
  console.error('usage: node ws-count.mjs URL N');
  process.exit(2);
}
let count = 0;
let bytes = 0;
const start = performance.now();
const socket = new WebSocket(url);
function report(error) {
  const ms = performance.now() - start;
  console.log(JSON.stringify({ messages: count, bytes, ms, error }));
  process.exit(error ? 1 : 0);
}
socket.on('message', (data, isBinary) => {
  // Text frames arrive as Buffers; decoding them is what a consumer of text would pay.
  bytes += isBinary ? data.length : data.toString().length;
  if (++count === n) {
    report(false);
  }
});
socket.on('close', () => report(count < n));
socket.on('error', () => report(true));

// SPDX-License-Identifier: GPL-3.0-or-later
// The ceiling a server allows: a raw TCP reader that does the opening handshake and then only
// walks frame headers (payloads are neither copied, unmasked, inflated nor decoded) until N
// messages or a close frame. No client that does any work per message can be faster.
// Usage: node bench/ws-frame-count.mjs URL N [--deflate]   (prints one JSON line)
//   --deflate: offer permessage-deflate, as the other clients do.
import crypto from 'node:crypto';
import net from 'node:net';

const [url, wanted, flag] = process.argv.slice(2);
const n = Number(wanted);
if (!url || !(n > 0)) {
  console.error('usage: node ws-frame-count.mjs URL N [--deflate]');
  process.exit(2);
}
const target = new URL(url);
const start = performance.now();
let messages = 0;
let wireBytes = 0;
let handshake = Buffer.alloc(0);
let open = false;
let skip = 0; // payload bytes of the current frame still to pass over
let ends = false; // the current frame ends a data message
let header = null; // a frame header split across reads

function report(error) {
  const ms = performance.now() - start;
  console.log(JSON.stringify({ messages, wireBytes, ms, error }));
  process.exit(error ? 1 : 0);
}

function frameDone() {
  if (ends && ++messages === n) {
    report(false);
  }
  ends = false;
}

// Returns false at a close frame.
function walk(data) {
  let at = 0;
  if (header !== null) {
    data = Buffer.concat([header, data]);
    header = null;
  }
  const size = data.length;
  while (at < size) {
    if (skip > 0) {
      const step = Math.min(skip, size - at);
      skip -= step;
      at += step;
      if (skip === 0) {
        frameDone();
      }
      continue;
    }
    if (size - at < 2) {
      header = Buffer.from(data.subarray(at));
      return true;
    }
    const first = data[at];
    const length7 = data[at + 1] & 0x7f;
    let length = length7;
    let headerSize = 2;
    if (length7 >= 126) {
      headerSize = length7 === 126 ? 4 : 10;
      if (size - at < headerSize) {
        header = Buffer.from(data.subarray(at));
        return true;
      }
      length =
        length7 === 126 ? data.readUInt16BE(at + 2) : Number(data.readBigUInt64BE(at + 2));
    }
    at += headerSize;
    const opcode = first & 0x0f;
    if (opcode === 0x8) {
      return false;
    }
    ends = (first & 0x80) !== 0 && opcode < 0x8;
    skip = length;
    if (length === 0) {
      frameDone();
    }
  }
  return true;
}

const socket = net.connect(Number(target.port), target.hostname, () => {
  const key = crypto.randomBytes(16).toString('base64');
  const extensions = flag === '--deflate'
    ? 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n'
    : '';
  socket.write(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extensions}\r\n`
  );
});
socket.on('data', (data) => {
  if (!open) {
    handshake = Buffer.concat([handshake, data]);
    const end = handshake.indexOf('\r\n\r\n');
    if (end < 0) {
      return;
    }
    if (!handshake.subarray(0, 12).toString().includes(' 101')) {
      report(true);
    }
    open = true;
    data = handshake.subarray(end + 4);
  }
  wireBytes += data.length;
  if (!walk(data)) {
    report(messages < n);
  }
});
socket.on('close', () => report(messages < n));
socket.on('error', () => report(true));

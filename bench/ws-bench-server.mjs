// SPDX-License-Identifier: GPL-3.0-or-later
// A local WebSocket server on node's `ws` for bench/run-ws-e2e.sh: the same query parameters
// and message shapes as bench_wsserver, but faster than a QWebSocketServer can send (slower
// than the clients it feeds: about 2.4 M messages/s of 60 B and 480 MB/s of 64 KiB here).
//   ws://127.0.0.1:PORT/?messages=N[&size=BYTES]   N text messages of BYTES (default 60)
//   ws://127.0.0.1:PORT/?single=BYTES              one text message of BYTES, one frame
// then a close frame. ws does the opening handshake and negotiates permessage-deflate (every
// message compressed, threshold 0; context takeover unless the client asks otherwise); with
// --no-deflate, or to a client that offers none, the messages go uncompressed.
//
// Every frame is made once, before the first send, and written to the socket as fast as it
// drains. Compressed frames are what ws's sender would make (zlib deflateRaw with ws's default
// level and window, one Z_SYNC_FLUSH per message, its 4-byte tail dropped). Compressing live in
// ws.send (`--live`) runs every message through zlib's thread pool one at a time: on 2 cores
// that sent about 8 800 messages/s of 60 B and 50 MB/s of 64 KiB, so the server, not the
// client, would be what the benchmark measures.
//
// Context takeover and a repeating cycle of `count` distinct messages: the first cycle is
// compressed from an empty window, the second after the first; the second cycle's frames are
// valid after any earlier cycle (what they refer back to is the previous cycle's text, the same
// every time), so cycle one is sent once and cycle two repeated.
//
// Prints "listening PORT" first and, per client, its send time, extensions and wire bytes on
// stderr. Ends when stdin closes or after 1800 s.
// Usage: node bench/ws-bench-server.mjs [--no-deflate] [--live] [--warm "SIZE..."]
//   --warm: make these sizes' frames before listening (e.g. "60 65536 single:16777216"), so
//   the first client's time does not include it.
import zlib from 'node:zlib';
import { Sender, WebSocketServer } from 'ws';

const args = process.argv.slice(2);
const live = args.includes('--live');
const deflate = args.includes('--no-deflate') ? false : { threshold: 0 };
const warm = args.includes('--warm') ? args[args.indexOf('--warm') + 1].split(/\s+/) : [];
const highWaterBytes = 4 * 1024 * 1024;
const writeBytes = 256 * 1024;
const maxDistinctBytes = 16 * 1024 * 1024;

// The shapes of bench_wsserver.cpp's makeMessage(), byte for byte: JSON metrics, rows of
// records when the size allows, padded with x to exactly `size` bytes.
const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const statuses = ['ok', 'ok', 'ok', 'degraded'];

function makeMessage(index, size) {
  const head =
    `{"cpu":0.${10 + (index % 90)},"mem":0.${10 + ((index * 7) % 90)},` +
    `"seq":${index},`;
  const rowsOpen = '"rows":[';
  const rowsClose = '],';
  const padOpen = '"pad":"';
  const padClose = '"}';
  let state = (index + 1) >>> 0;
  const next = (modulus) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) % modulus;
  };
  const fixed = head.length + rowsOpen.length + rowsClose.length + padOpen.length + padClose.length;
  const rows = [];
  let rowBytes = 0;
  for (let k = 0; ; ++k) {
    const row =
      `{"id":${index * 100000 + k},"host":"web-${String(next(64)).padStart(2, '0')}",` +
      `"region":"${regions[next(3)]}","cpu":0.${String(next(1000)).padStart(3, '0')},` +
      `"mem":0.${String(next(1000)).padStart(3, '0')},"latencyMs":${next(900) + 1},` +
      `"status":"${statuses[next(4)]}"}`;
    const grown = rowBytes + (rows.length > 0 ? 1 : 0) + row.length;
    if (fixed + grown > size) {
      break;
    }
    rows.push(row);
    rowBytes = grown;
  }
  let text = head + (rows.length > 0 ? rowsOpen + rows.join(',') + rowsClose : '') + padOpen;
  text += 'x'.repeat(Math.max(0, size - text.length - padClose.length)) + padClose;
  return Buffer.from(text);
}

const texts = new Map();
function messagesOf(size, single) {
  const count = single ? 1 : Math.max(1, Math.min(1024, Math.floor(maxDistinctBytes / size)));
  const key = `${size}/${count}`;
  if (!texts.has(key)) {
    const list = [];
    for (let i = 0; i < count; ++i) {
      list.push(makeMessage(i, size));
    }
    texts.set(key, list);
  }
  return texts.get(key);
}

// What the client agreed to, from the negotiated header ("" when not compressing).
function deflateParams(extensions) {
  if (!extensions.startsWith('permessage-deflate')) {
    return null;
  }
  const bits = /server_max_window_bits=(\d+)/.exec(extensions);
  return {
    takeover: !extensions.includes('server_no_context_takeover'),
    // zlib's raw deflate has no 8-bit window; ws uses 9 there too.
    windowBits: bits ? Math.max(9, Number(bits[1])) : zlib.constants.Z_DEFAULT_WINDOWBITS,
  };
}

function frame(payload, rsv1) {
  return Buffer.concat(
    Sender.frame(payload, { fin: true, rsv1, opcode: 1, mask: false, readOnly: true })
  );
}

function concatFrames(frames) {
  const offsets = [0];
  for (const f of frames) {
    offsets.push(offsets[offsets.length - 1] + f.length);
  }
  return { bytes: Buffer.concat(frames), offsets };
}

async function compressCycle(list, params) {
  const tail = 4; // RFC 7692 7.2.1: the 00 00 ff ff of the sync flush is not sent
  if (!params.takeover) {
    const frames = list.map((text) => {
      const out = zlib.deflateRawSync(text, {
        windowBits: params.windowBits,
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      return frame(out.subarray(0, out.length - tail), true);
    });
    return { first: frames, steady: frames };
  }
  const stream = zlib.createDeflateRaw({ windowBits: params.windowBits });
  let chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  const compressOne = (text) =>
    new Promise((resolve) => {
      stream.write(text);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const out = Buffer.concat(chunks);
        chunks = [];
        resolve(frame(out.subarray(0, out.length - tail), true));
      });
    });
  const cycles = [];
  for (let pass = 0; pass < (list.length > 1 ? 2 : 1); ++pass) {
    const frames = [];
    for (const text of list) {
      frames.push(await compressOne(text));
    }
    cycles.push(frames);
  }
  stream.close();
  return { first: cycles[0], steady: cycles[cycles.length - 1] };
}

const plans = new Map();
async function planFor(size, single, params) {
  const key = `${size}/${single}/${params ? `${params.takeover}/${params.windowBits}` : 'plain'}`;
  if (!plans.has(key)) {
    const list = messagesOf(size, single);
    let cycle;
    if (params) {
      cycle = await compressCycle(list, params);
    } else {
      const frames = list.map((text) => frame(text, false));
      cycle = { first: frames, steady: frames };
    }
    const textBytes = list.reduce((sum, text) => sum + text.length, 0);
    const steady = concatFrames(cycle.steady);
    plans.set(key, {
      count: list.length,
      first: cycle.first === cycle.steady ? steady : concatFrames(cycle.first),
      steady,
      ratio: textBytes / steady.bytes.length,
    });
  }
  return plans.get(key);
}

// The wire bytes of messages [0, total): the first cycle once, then the steady one.
function* pieces(plan, total) {
  const slices = function* (part, messages) {
    const end = part.offsets[messages];
    for (let at = 0; at < end; at += writeBytes) {
      yield part.bytes.subarray(at, Math.min(end, at + writeBytes));
    }
  };
  const head = Math.min(total, plan.count);
  yield* slices(plan.first, head);
  for (let sent = head; sent < total; sent += plan.count) {
    yield* slices(plan.steady, Math.min(plan.count, total - sent));
  }
}

function serve(socket, total, size, single) {
  const start = performance.now();
  let wireBytes = 0;
  let done = false;
  const report = (note, ratio) => {
    done = true;
    const seconds = ((performance.now() - start) / 1000).toFixed(3);
    const compression = ratio ? ` ratio=${ratio.toFixed(2)}` : '';
    console.error(
      `served messages=${total} size=${size} seconds=${seconds} ` +
        `extensions=${socket.extensions || '-'} wire_bytes=${wireBytes}${compression}${note}`
    );
  };
  socket.on('close', () => {
    if (!done) {
      report(' (client left early)');
    }
  });
  socket.on('error', () => {});

  if (live) {
    // ws frames (and compresses) every message itself; the send callbacks pace it.
    const list = messagesOf(size, single);
    let sent = 0;
    const topUp = () => {
      while (sent < total && socket.bufferedAmount < highWaterBytes) {
        socket.send(list[sent % list.length], { binary: false }, written);
        ++sent;
      }
      if (sent === total && !done) {
        wireBytes = -1; // not counted
        socket.close(1000);
        report(' (live)');
      }
    };
    const written = (error) => {
      if (!error && !done && socket.bufferedAmount < highWaterBytes / 4) {
        topUp();
      }
    };
    topUp();
    return;
  }

  planFor(size, single, deflateParams(socket.extensions)).then((plan) => {
    // ws's own sender writes nothing until close(), so these frames go to its socket directly.
    const raw = socket._socket;
    const it = pieces(plan, total);
    const pump = () => {
      for (;;) {
        const { value, done: end } = it.next();
        if (end) {
          socket.close(1000); // queued behind the last frame
          report('', socket.extensions ? plan.ratio : 0);
          return;
        }
        wireBytes += value.length;
        if (!raw.write(value)) {
          raw.once('drain', pump);
          return;
        }
      }
    };
    if (raw && !raw.destroyed) {
      pump();
    }
  });
}

for (const entry of warm) {
  if (entry) {
    const single = entry.startsWith('single:');
    const size = Number(single ? entry.slice(7) : entry);
    await planFor(size, single, null);
    if (deflate) {
      await planFor(size, single, deflateParams('permessage-deflate'));
    }
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate });
server.on('connection', (socket, request) => {
  const query = new URL(request.url, 'ws://127.0.0.1').searchParams;
  const single = Number(query.get('single') ?? 0);
  const total = single > 0 ? 1 : Number(query.get('messages'));
  const size = single > 0 ? single : Number(query.get('size') ?? 60);
  if (!(total > 0) || !(size > 0)) {
    socket.close(1008, 'need ?messages=N[&size=BYTES] or ?single=BYTES');
    return;
  }
  serve(socket, total, size, single > 0);
});
server.on('listening', () => console.log('listening ' + server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 1800000).unref();

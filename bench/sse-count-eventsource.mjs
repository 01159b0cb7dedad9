// SPDX-License-Identifier: GPL-3.0-or-later
// Node's `eventsource` package as an SSE client: counts N events of one type, then stops.
// Usage: node bench/sse-count-eventsource.mjs URL EVENT_TYPE N   (prints one JSON line)
import { EventSource } from 'eventsource';

const [url, type, wanted] = process.argv.slice(2);
const n = Number(wanted);
if (!url || !type || !(n > 0)) {
  console.error('usage: node sse-count-eventsource.mjs URL EVENT_TYPE N');
  process.exit(2);
}
let count = 0;
let bytes = 0;
const start = performance.now();
const source = new EventSource(url);
function report(error) {
  source.close();
  const ms = performance.now() - start;
  console.log(JSON.stringify({ events: count, bytes, ms, error }));
  process.exit(error ? 1 : 0);
}
source.addEventListener(type, (event) => {
  bytes += event.data.length;
  if (++count === n) {
    report(false);
  }
});
// The server closes after N events; an error before that is a failure, not a reconnect.
source.onerror = () => {
  if (count < n) {
    report(true);
  }
};

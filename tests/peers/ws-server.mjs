// SPDX-License-Identifier: GPL-3.0-or-later
// A node `ws` server for tests: listens on 127.0.0.1, port 0, prints "listening PORT", sends
// each client a greeting, and echoes what it receives. Ends when stdin closes or after 120 s.
//   node ws-server.mjs [--deflate] [--no-context-takeover] [--greeting-bytes N]
import { WebSocketServer } from "ws";

const args = process.argv.slice(2);
const option = (name) => args.includes(name);
const value = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
};

const deflate = option("--deflate")
    ? {
          threshold: 0, // compress every message, however small
          serverNoContextTakeover: option("--no-context-takeover"),
          clientNoContextTakeover: option("--no-context-takeover"),
      }
    : false;
const greetingBytes = value("--greeting-bytes", 0);

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: deflate });
server.on("connection", (socket, request) => {
    socket.send(
        JSON.stringify({
            extensions: request.headers["sec-websocket-extensions"] ?? "",
            negotiated: socket.extensions,
        })
    );
    if (greetingBytes > 0) {
        // Compressible and checkable: a JSON array of numbered rows.
        const rows = [];
        let size = 2;
        for (let i = 0; size < greetingBytes; ++i) {
            const row = JSON.stringify({ row: i, host: "web-" + (i % 7), cpu: (i * 37) % 100 });
            rows.push(row);
            size += row.length + 1;
        }
        socket.send("[" + rows.join(",") + "]");
    }
    socket.on("message", (data, binary) => socket.send(data, { binary }));
});
server.on("listening", () => console.log("listening " + server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 120000).unref();

// SPDX-License-Identifier: GPL-3.0-or-later
// A Socket.IO v4 server for tests (npm socket.io, WebSocket transport only): listens on
// 127.0.0.1 (port from --port, else any free one), prints "listening PORT", and one line per
// namespace connection ("connection NS") and refusal ("refused NS"). Ends when stdin closes or
// after 120 s.
//   node socketio-server.mjs [--port P] [--ping-interval MS] [--ping-timeout MS]
// Namespaces:
//   /        emits "metrics" {cpu, seq} every 50 ms; "echo" acks with its arguments;
//            "want-blob" makes it emit "blob" (binary: Buffer [1,2,3], then {"name":"x"});
//            "blob-ack" acks with a Buffer [4,5] and "ok" (a binary ack);
//            "ask-me" makes it emit "question" asking for an ack, then "answered" with what
//            the ack carried (or "unanswered" after 5 s)
//   /admin   needs auth {"token":"secret"} (else CONNECT_ERROR "not authorized"); emits "status"
//            {seq} every 50 ms; "echo" as on /
import http from "node:http";
import { Server } from "socket.io";

const args = process.argv.slice(2);
const value = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
};

const httpServer = http.createServer();
const io = new Server(httpServer, {
    transports: ["websocket"],
    serveClient: false,
    pingInterval: value("--ping-interval", 25000),
    pingTimeout: value("--ping-timeout", 20000),
});

const echo = (socket) =>
    socket.on("echo", (...received) => {
        const ack = typeof received.at(-1) === "function" ? received.pop() : null;
        if (ack) {
            ack(...received);
        }
    });

const every50ms = (socket, send) => {
    let seq = 0;
    const timer = setInterval(() => send(++seq), 50);
    socket.on("disconnect", () => clearInterval(timer));
};

io.on("connection", (socket) => {
    console.log("connection /");
    echo(socket);
    every50ms(socket, (seq) =>
        socket.emit("metrics", { cpu: Math.round(Math.random() * 1000) / 10, seq })
    );
    socket.on("want-blob", () => socket.emit("blob", Buffer.from([1, 2, 3]), { name: "x" }));
    socket.on("blob-ack", (ack) => ack(Buffer.from([4, 5]), "ok"));
    socket.on("ask-me", () =>
        socket.timeout(5000).emit("question", { n: 42 }, (timedOut, ...answer) =>
            socket.emit(timedOut ? "unanswered" : "answered", answer)
        )
    );
});

const admin = io.of("/admin");
admin.use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === "secret") {
        next();
    } else {
        console.log("refused /admin");
        next(new Error("not authorized"));
    }
});
admin.on("connection", (socket) => {
    console.log("connection /admin");
    echo(socket);
    every50ms(socket, (seq) => socket.emit("status", { seq }));
});

httpServer.listen(value("--port", 0), "127.0.0.1", () =>
    console.log("listening " + httpServer.address().port)
);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), 120000).unref();

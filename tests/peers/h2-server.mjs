// SPDX-License-Identifier: GPL-3.0-or-later
// An HTTP/2 SSE server for tests, on node's own http2: listens on 127.0.0.1, prints
// "listening PORT", then one line per event a test may count:
//   session N         a new connection (N counts them; HTTP/1.1 connections count too)
//   stream N TARGET   a new request (N counts them), TARGET its path and query
//   served events=E bytes=B http=V   a /firehose answer ended (by count or by the client): E
//                     events, B bytes of SSE text written to it, over HTTP/V (2.0 or 1.1)
//   closed-session    a connection closed
//   node h2-server.mjs [--tls CERT KEY] [--allow-http1] [--max-concurrent N] [--port P]
//                      [--mode normal|garbage|silent]
// Without --tls it speaks h2c with prior knowledge only. --allow-http1 (TLS only) lets ALPN
// pick http/1.1. --mode garbage answers every connection with an HTTP/1.1 answer, no HTTP/2;
// --mode silent reads and never writes (no SETTINGS). Both still offer h2 by ALPN over TLS.
// Commands on stdin, one a line: "goaway" (every session sends GOAWAY(NO_ERROR), then ends its
// streams and closes), "goaway-only" (GOAWAY(NO_ERROR); the open streams go on, the session
// closes when they end), "close" (every connection dropped at once), "quit". Ends when stdin
// does.
// Routes (SSE: 200, text/event-stream, numbered events "id: K" from 1, or from Last-Event-ID+1):
//   /events?interval=MS&count=N&size=B   an event every MS (100), N of them (no end), B bytes
//   /firehose?size=B&count=N&batch=K     events as fast as the stream takes them; with count,
//                                        ends after event N (a resumed stream goes on to N);
//                                        K events per write (1), so node is not the bottleneck
//   /rst?after=N                         N events, then RST_STREAM(INTERNAL_ERROR)
//   /goaway?after=N                      N events, then the whole session goes away
//   /status?code=C&body=TEXT             status C with {"error":{"message":TEXT}}
//   /hold                                a ": hold" comment every second, no end
import fs from "node:fs";
import http2 from "node:http2";
import net from "node:net";
import readline from "node:readline";
import tls from "node:tls";

const args = process.argv.slice(2);
const has = (name) => args.includes(name);
const after = (name, index = 1) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + index] : undefined;
};

const certFile = after("--tls", 1);
const keyFile = after("--tls", 2);
const useTls = has("--tls");
const allowHttp1 = has("--allow-http1");
const maxConcurrent =
    after("--max-concurrent") !== undefined ? Number(after("--max-concurrent")) : undefined;
const port = Number(after("--port") ?? 0);
const mode = after("--mode") ?? "normal";

if (useTls && (!certFile || !keyFile)) {
    console.error("--tls needs CERT and KEY");
    process.exit(2);
}
if (!["normal", "garbage", "silent"].includes(mode)) {
    console.error("unknown --mode " + mode);
    process.exit(2);
}
const tlsOptions = useTls ? { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) } : {};

let sessionCount = 0;
let streamCount = 0;
const sessions = new Set(); // Http2Session objects
const sockets = new Set(); // connections that have no Http2Session: HTTP/1.1, garbage, silent
const openResponses = new Set(); // SSE answers not ended yet

function countSession(onClose) {
    console.log("session " + ++sessionCount);
    onClose(() => console.log("closed-session"));
}

function trackSocket(socket) {
    sockets.add(socket);
    countSession((log) =>
        socket.on("close", () => {
            sockets.delete(socket);
            log();
        })
    );
}

// GOAWAY(NO_ERROR) with the last stream it has seen, so the open streams may go on; then,
// shortly after, the server ends them (as one that shuts down would) and closes the session.
// With keepStreams they go on, and the session closes once they end (or on "close").
function goAway(session, keepStreams = false) {
    if (session.destroyed || session.closed) {
        return;
    }
    session.goaway(http2.constants.NGHTTP2_NO_ERROR);
    if (keepStreams) {
        session.close();
        return;
    }
    setTimeout(() => {
        for (const res of openResponses) {
            if (res.stream?.session === session) {
                res.end();
            }
        }
        if (!session.destroyed) {
            session.close();
        }
        setTimeout(() => session.destroyed || session.destroy(), 3000).unref();
    }, 200);
}

function query(req) {
    return new URL(req.url, "http://127.0.0.1").searchParams;
}

function numberParam(params, name, fallback) {
    const text = params.get(name);
    return text === null || text === "" || Number.isNaN(Number(text)) ? fallback : Number(text);
}

function firstId(req) {
    const last = req.headers["last-event-id"];
    return last !== undefined && /^\d+$/.test(last.trim()) ? Number(last.trim()) + 1 : 1;
}

const pads = new Map(); // length -> "xxx...": a firehose of large events builds each once
function pad(length) {
    let text = pads.get(length);
    if (text === undefined) {
        text = "x".repeat(length);
        pads.set(length, text);
    }
    return text;
}

// The same text as JSON.stringify({ seq: id, pad }) gives, without building it each time.
function event(id, size) {
    const bare = ('{"seq":' + id + ',"pad":""}').length;
    const data = '{"seq":' + id + ',"pad":"' + pad(Math.max(0, size - bare)) + '"}';
    return "id: " + id + "\ndata: " + data + "\n\n";
}

function startSse(res) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    openResponses.add(res);
    res.on("close", () => openResponses.delete(res));
}

const isHttp2 = (req) => req.httpVersionMajor === 2;

// Paced events; afterLast runs once `count` of them are out.
function paced(req, res, { interval, count, size }, afterLast) {
    startSse(res);
    let id = firstId(req);
    let sent = 0;
    const tick = () => {
        if (res.writableEnded || res.destroyed) {
            return false;
        }
        if (sent >= count) {
            afterLast();
            return false;
        }
        res.write(event(id++, size));
        ++sent;
        return true;
    };
    if (!tick()) {
        return;
    }
    const timer = setInterval(() => tick() || clearInterval(timer), interval);
    res.on("close", () => clearInterval(timer));
}

function handle(req, res) {
    const target = req.url;
    console.log("stream " + ++streamCount + " " + target);
    const path = target.split("?")[0];
    const params = query(req);
    const size = numberParam(params, "size", 0);
    if (path === "/events") {
        const options = {
            interval: numberParam(params, "interval", 100),
            count: numberParam(params, "count", Infinity),
            size,
        };
        paced(req, res, options, () => res.end());
    } else if (path === "/firehose") {
        startSse(res);
        let id = firstId(req);
        const last = numberParam(params, "count", Infinity);
        const batch = Math.max(1, numberParam(params, "batch", 1));
        let events = 0;
        let bytes = 0;
        res.on("close", () =>
            console.log(`served events=${events} bytes=${bytes} http=${req.httpVersion}`)
        );
        const pump = () => {
            while (!res.writableEnded && !res.destroyed) {
                if (id > last) {
                    res.end();
                    return;
                }
                let text = "";
                for (let k = 0; k < batch && id <= last; ++k, ++events) {
                    text += event(id++, size || 100);
                }
                bytes += Buffer.byteLength(text);
                if (!res.write(text)) {
                    res.once("drain", pump);
                    return;
                }
            }
        };
        pump();
    } else if (path === "/rst") {
        const options = { interval: 50, count: numberParam(params, "after", 3), size };
        paced(req, res, options, () => {
            if (isHttp2(req)) {
                req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
            } else {
                req.socket.destroy();
            }
        });
    } else if (path === "/goaway") {
        const options = { interval: 50, count: numberParam(params, "after", 3), size };
        paced(req, res, options, () => {
            if (isHttp2(req)) {
                goAway(req.stream.session);
            } else {
                req.socket.destroy();
            }
        });
    } else if (path === "/status") {
        const body = JSON.stringify({ error: { message: params.get("body") ?? "error" } });
        res.writeHead(numberParam(params, "code", 500), { "content-type": "application/json" });
        res.end(body);
    } else if (path === "/hold") {
        startSse(res);
        const hold = () => res.writableEnded || res.destroyed || res.write(": hold\n\n");
        hold();
        const timer = setInterval(hold, 1000);
        res.on("close", () => clearInterval(timer));
    } else {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("no such route\n");
    }
}

function rawServer() {
    const onConnection = (socket) => {
        trackSocket(socket);
        socket.on("error", () => {});
        socket.on("data", () => {});
        if (mode === "garbage") {
            // What a server that offers h2 by mistake sends: an HTTP/1.1 answer.
            const head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n";
            socket.write(head + "data: this is HTTP/1.1, not HTTP/2\n\n".repeat(8));
        }
    };
    if (useTls) {
        const server = tls.createServer({ ...tlsOptions, ALPNProtocols: ["h2"] });
        return server.on("secureConnection", onConnection);
    }
    return net.createServer(onConnection);
}

function http2Server() {
    const options = { settings: {} };
    if (maxConcurrent !== undefined) {
        options.settings.maxConcurrentStreams = maxConcurrent;
    }
    const server = useTls
        ? http2.createSecureServer({ ...options, ...tlsOptions, allowHTTP1: allowHttp1 })
        : http2.createServer(options);
    server.on("session", (session) => {
        sessions.add(session);
        session.on("error", () => {});
        countSession((log) =>
            session.on("close", () => {
                sessions.delete(session);
                log();
            })
        );
    });
    if (useTls) {
        server.on("secureConnection", (socket) => {
            if (socket.alpnProtocol !== "h2") {
                trackSocket(socket);
            }
        });
    }
    server.on("request", handle);
    return server;
}

const server = mode === "normal" ? http2Server() : rawServer();
server.on("error", (error) => {
    console.error(error.message);
    process.exit(1);
});
server.listen(port, "127.0.0.1", () => console.log("listening " + server.address().port));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
    const command = line.trim();
    if (command === "goaway") {
        for (const session of sessions) {
            goAway(session);
        }
    } else if (command === "goaway-only") {
        for (const session of sessions) {
            goAway(session, true);
        }
    } else if (command === "close") {
        for (const session of sessions) {
            session.destroy();
        }
        for (const socket of sockets) {
            socket.destroy();
        }
    } else if (command === "quit") {
        process.exit(0);
    } else if (command !== "") {
        console.error("unknown command " + command);
    }
});
process.stdin.on("end", () => process.exit(0));

// The container health check (`node /app/healthcheck.js`): the runtime image has no curl or wget.
// Exits 0 when GET http://127.0.0.1:$PORT/health answers 200 within 2 s, else 1.
"use strict";
const http = require("http");

const port = Number(process.env.PORT || 8080);
const req = http.get({ host: "127.0.0.1", port, path: "/health", timeout: 2000 }, (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timed out")));
req.on("error", () => process.exit(1));

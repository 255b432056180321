// A stand-in for one version of the app (pods are simulated, so no container runs): it counts simulated
// requests at a rate and error ratio set through /control, and exports them as Prometheus metrics.
import { createServer } from "node:http";

const version = process.argv[2] ?? "stable";
let rate = 0; // requests per second
let errors = 0; // share that answers 500
let total = 0;
let failed = 0;
let served = 0; // real requests (through the test data plane)
const buckets = [0.05, 0.1, 0.25, 0.5, 1];
const bucketCounts = buckets.map(() => 0);
let latencySum = 0;

// Every 100 ms: rate/10 more requests, errors kept exactly at the ratio (cumulative), latency ~ 80 ms.
setInterval(() => {
  const n = rate / 10;
  total += n;
  failed += n * errors;
  latencySum += n * 0.08;
  buckets.forEach((b, i) => {
    if (0.08 <= b) bucketCounts[i] = (bucketCounts[i] ?? 0) + n;
  });
}, 100).unref();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/control") {
    rate = Number(url.searchParams.get("rate") ?? rate);
    errors = Number(url.searchParams.get("errors") ?? errors);
    res.end(JSON.stringify({ version, rate, errors }));
    return;
  }
  if (url.pathname === "/metrics") {
    const lines = [
      "# HELP http_requests_total Requests served.",
      "# TYPE http_requests_total counter",
      `http_requests_total{version="${version}",code="200"} ${total - failed}`,
      `http_requests_total{version="${version}",code="500"} ${failed}`,
      "# HELP http_request_duration_seconds Request latency.",
      "# TYPE http_request_duration_seconds histogram",
      ...buckets.map(
        (b, i) => `http_request_duration_seconds_bucket{version="${version}",le="${b}"} ${bucketCounts[i]}`,
      ),
      `http_request_duration_seconds_bucket{version="${version}",le="+Inf"} ${total}`,
      `http_request_duration_seconds_sum{version="${version}"} ${latencySum}`,
      `http_request_duration_seconds_count{version="${version}"} ${total}`,
    ];
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end(`${lines.join("\n")}\n`);
    return;
  }
  if (url.pathname === "/status.json") {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ version, ok: errors < 0.05, errorRatio: errors }));
    return;
  }
  if (url.pathname === "/") {
    // A real request: answered 500 for the configured share (deterministically), counted either way.
    const failing = Math.floor((served + 1) * errors) > Math.floor(served * errors);
    served++;
    total++;
    if (failing) failed++;
    res.statusCode = failing ? 500 : 200;
    res.end(version);
    return;
  }
  res.statusCode = 404;
  res.end("not found");
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  );
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

// A metric service that speaks ramp's provider contract, metrics.ramp.dev/v1 (docs/provider-contract.md):
// ramp POSTs a MeasurementRequest, this answers a MeasurementResult. Put any backend behind lookup().
//   PORT=8080 VALUES_FILE=values.json TOKEN=s3cret node server.mjs
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const API_VERSION = "metrics.ramp.dev/v1";
const port = Number(process.env.PORT ?? 8080);
const token = process.env.TOKEN;

/**
 * The value of `metric` for the version the request names. This one reads a JSON file (re-read on every
 * request) keyed "<metric>/<canary-hash>": a number or a list of numbers is the value, null or no entry is
 * no data, a string is an error. A real service would ask its backend here.
 */
function lookup(request) {
  const values = JSON.parse(readFileSync(process.env.VALUES_FILE ?? "values.json", "utf8"));
  return values[`${request.metric}/${request.args["canary-hash"] ?? ""}`] ?? null;
}

const answer = (res, status, body) =>
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

createServer((req, res) => {
  if (req.method !== "POST") return answer(res, 405, { error: "POST a MeasurementRequest" });
  // The credentials come from the metric's headers (a Secret), never from the request's args.
  if (token && req.headers.authorization !== `Bearer ${token}`)
    return answer(res, 401, { error: "unauthorized" });
  let raw = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => {
    raw += chunk;
  });
  req.on("end", () => {
    let request;
    try {
      request = JSON.parse(raw);
    } catch {
      return answer(res, 400, { error: "the body is not JSON" });
    }
    if (request.apiVersion !== API_VERSION || request.kind !== "MeasurementRequest")
      return answer(res, 400, { error: `expected a ${API_VERSION} MeasurementRequest` });
    const found = lookup(request);
    const result = { apiVersion: API_VERSION, kind: "MeasurementResult" };
    answer(res, 200, typeof found === "string" ? { ...result, error: found } : { ...result, value: found });
  });
}).listen(port, () => console.log(`metric service on :${port}`));

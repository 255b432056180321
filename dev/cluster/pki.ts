// Certificates and credentials for the local control plane, made with openssl: one CA, one serving
// certificate for every loopback component, a service-account key pair and a static admin token.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  tokenFile: string;
  /** Bearer token of the `admin` user in group system:masters. */
  token: string;
}

export function pkiFiles(dir: string): Omit<Pki, "token"> {
  return {
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    servingCert: join(dir, "serving.crt"),
    servingKey: join(dir, "serving.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
    tokenFile: join(dir, "tokens.csv"),
  };
}

// Names clients inside and outside the cluster use for the apiserver; 10.96.0.1 is the first ClusterIP.
const servingSans = [
  "IP:127.0.0.1",
  "IP:10.96.0.1",
  "DNS:localhost",
  "DNS:kubernetes",
  "DNS:kubernetes.default",
  "DNS:kubernetes.default.svc",
  "DNS:kubernetes.default.svc.cluster.local",
];

export async function checkOpenssl(): Promise<void> {
  try {
    await run("openssl", ["version"]);
  } catch (cause) {
    throw new Error(
      "ramp: 'openssl' is required to create the local cluster's certificates but was not found on PATH.\n" +
        "      Install it: apt-get install -y openssl",
      { cause },
    );
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? "";
    throw new Error(`ramp: openssl ${args[0]} failed: ${stderr.trim()}`, { cause });
  }
}

/** Creates a fresh PKI in `dir` (which should be empty) and returns the file paths and admin token. */
export async function createPki(dir: string): Promise<Pki> {
  await checkOpenssl();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const f = pkiFiles(dir);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  const days = ["-days", "3650"];
  await openssl([
    "req",
    "-x509",
    ...ec,
    ...days,
    "-keyout",
    f.caKey,
    "-out",
    f.caCert,
    "-subj",
    "/CN=ramp-local-ca",
  ]);
  const csr = join(dir, "serving.csr");
  const ext = join(dir, "serving.ext");
  await writeFile(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth,clientAuth",
      `subjectAltName=${servingSans.join(",")}`,
      "",
    ].join("\n"),
  );
  await openssl(["req", ...ec, "-keyout", f.servingKey, "-out", csr, "-subj", "/CN=kube-apiserver"]);
  const signer = ["-CA", f.caCert, "-CAkey", f.caKey, "-CAcreateserial"];
  await openssl(["x509", "-req", "-in", csr, ...signer, ...days, "-extfile", ext, "-out", f.servingCert]);
  // RS256 is the signing algorithm every service-account token consumer accepts.
  await openssl([
    "genpkey",
    "-algorithm",
    "RSA",
    "-pkeyopt",
    "rsa_keygen_bits:2048",
    "-out",
    f.serviceAccountKey,
  ]);
  await openssl(["pkey", "-in", f.serviceAccountKey, "-pubout", "-out", f.serviceAccountPub]);
  const token = randomBytes(24).toString("hex");
  await writeFile(f.tokenFile, `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
  return { ...f, token };
}

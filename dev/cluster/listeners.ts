// Which TCP addresses a process listens on, read from /proc (no ss/netstat needed), so tests can prove
// that every local component stays on loopback.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Listener {
  address: string;
  port: number;
}

// /proc/net/tcp stores an IPv4 address as one little-endian 32-bit hex word.
function ipv4(hex: string): string {
  const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
  return bytes.reverse().join(".");
}

// /proc/net/tcp6 stores four little-endian 32-bit words.
function ipv6(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse());
  if (bytes.slice(0, 10).every((b) => b === "00") && bytes[10] === "ff" && bytes[11] === "ff") {
    return `::ffff:${bytes
      .slice(12)
      .map((b) => Number.parseInt(b, 16))
      .join(".")}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(Number.parseInt(`${bytes[i]}${bytes[i + 1]}`, 16).toString(16));
  const text = groups.join(":");
  return text === "0:0:0:0:0:0:0:0" ? "::" : text === "0:0:0:0:0:0:0:1" ? "::1" : text;
}

function listeningSockets(): Map<string, Listener> {
  const byInode = new Map<string, Listener>();
  for (const [file, decode] of [
    ["/proc/net/tcp", ipv4],
    ["/proc/net/tcp6", ipv6],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.trim().split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (state !== "0A" || !local || !inode) continue; // 0A = LISTEN
      const [addr = "", port = "0"] = local.split(":");
      byInode.set(inode, { address: decode(addr), port: Number.parseInt(port, 16) });
    }
  }
  return byInode;
}

/** TCP listeners owned by `pid`. */
export function listenersOf(pid: number): Listener[] {
  const sockets = listeningSockets();
  const found: Listener[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      const listener = inode ? sockets.get(inode) : undefined;
      if (listener) found.push(listener);
    } catch {
      // fd closed while we looked
    }
  }
  return found;
}

export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

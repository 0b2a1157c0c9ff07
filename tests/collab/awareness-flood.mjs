// A hostile peer in its own process (another machine, as far as the server can tell): opens
// the room with a ticket and sends 64 KiB awareness frames as fast as the socket takes them
// until killed. Usage: node awareness-flood.mjs <ws url with ticket>
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2]);
const state = JSON.stringify({ flood: 'y'.repeat(64 * 1024) });
const payload = Buffer.from(state);

function frame(clock) {
  const varUint = (n) => {
    const out = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
  };
  const inner = Buffer.concat([
    Buffer.from([...varUint(1), ...varUint(78), ...varUint(clock), ...varUint(payload.length)]),
    payload,
  ]);
  return Buffer.concat([Buffer.from([1, ...varUint(inner.length)]), inner]);
}

let clock = 1;
ws.on('open', () => {
  process.stdout.write('open\n');
  const pump = () => {
    while (ws.bufferedAmount < 4 * 1024 * 1024) ws.send(frame(clock++));
    setImmediate(pump);
  };
  pump();
});
ws.on('close', () => process.exit(0));
ws.on('error', () => process.exit(1));

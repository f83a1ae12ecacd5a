// Runtime floor for bench:tracker: a hibernatable Durable Object that sends every text
// frame straight back, with no parsing or logic. workerd CPU per frame here is what any
// tracker in one DO pays before its own code runs. Bench-only; never deployed.
// `/bytes` echoes through TextEncoder and sends a Uint8Array instead of the string, to
// measure whether handing send() bytes is cheaper than handing it a JS string.
import { DurableObject } from "cloudflare:workers";

interface EchoEnv {
  ECHO: DurableObjectNamespace<EchoShard>;
}

const encoder = new TextEncoder();

export class EchoShard extends DurableObject<EchoEnv> {
  // Per instance, set by the first upgrade: each mode has its own object (see fetch below).
  private bytes = false;

  override async fetch(request: Request): Promise<Response> {
    this.bytes = new URL(request.url).pathname === "/bytes";
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      ws.send(this.bytes && typeof message === "string" ? encoder.encode(message) : message);
    } catch {
      // closing socket: nothing to do
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    try {
      ws.close(1000, "bye");
    } catch {
      // already closed
    }
  }
}

export default {
  async fetch(request: Request, env: EchoEnv): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("echo", { status: 200 });
    const mode = new URL(request.url).pathname === "/bytes" ? "bytes" : "string";
    return env.ECHO.getByName(`echo-${mode}`).fetch(request);
  },
} satisfies ExportedHandler<EchoEnv>;

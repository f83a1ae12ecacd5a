// Runtime floor for bench:tracker: a hibernatable Durable Object that sends every text
// frame straight back, with no parsing or logic. workerd CPU per frame here is what any
// tracker in one DO pays before its own code runs. Bench-only; never deployed.
import { DurableObject } from "cloudflare:workers";

interface EchoEnv { ECHO: DurableObjectNamespace<EchoShard> }

export class EchoShard extends DurableObject<EchoEnv> {
  override async fetch(): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      ws.send(message);
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
    return env.ECHO.getByName("echo").fetch(request);
  },
} satisfies ExportedHandler<EchoEnv>;

// edge-runtime (Vercel's): the same handler as the worker, as a fetch event listener.
import { cells, runCell } from "./web.mjs";

const shared = {};

addEventListener("fetch", (event) => {
	if (event.request.method !== "POST") return event.respondWith(new Response("ready"));
	const pkg = new URL(event.request.url).pathname.replace(/^\/run\//, "");
	event.respondWith(
		event.request
			.json()
			.then(async (input) => Response.json(await runCell(cells, pkg, input, shared))),
	);
});

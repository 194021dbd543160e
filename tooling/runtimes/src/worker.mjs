// workerd: `POST /run/<package>` with the input as JSON answers the round trip's result.
import { cells, runCell } from "./web.mjs";

const shared = {};

export default {
	async fetch(request) {
		if (request.method !== "POST") return new Response("ready");
		const pkg = new URL(request.url).pathname.replace(/^\/run\//, "");
		return Response.json(await runCell(cells, pkg, await request.json(), shared));
	},
};

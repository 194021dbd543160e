/** `node dist/hash-password.js <password>` prints a seed-file `scrypt` value. */
import { hashPassword } from "./users.js";

const pw = process.argv[2];
if (!pw) {
	process.stderr.write("usage: node dist/hash-password.js <password>\n");
	process.exit(2);
}
process.stdout.write(`${await hashPassword(pw)}\n`);

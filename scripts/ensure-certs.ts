// Creates the local CA and the simulator's localhost certificate (once). Runs before any process that must trust
// the simulator starts, because Node reads NODE_EXTRA_CA_CERTS only at start-up.
import { ensureCertificates } from "../simulator/certs.ts";
import { CERT_DIR } from "./lib/stack.ts";

ensureCertificates(CERT_DIR);

/** Verifier speed next to bare HMAC in the same process (see bench/verifier.ts). */
import { benchVerifier } from "../verifier.js";

export type VerifierResult = Awaited<ReturnType<typeof benchVerifier>>;

export function runVerifier(): Promise<VerifierResult> {
  return benchVerifier();
}

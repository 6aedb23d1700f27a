/** The Poly1305 in use. Clamps r itself (restic ≥ 0.17 stores r unclamped). */
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';

export function poly1305(message: Uint8Array, key32: Uint8Array): Uint8Array {
  return noblePoly1305(message, key32);
}

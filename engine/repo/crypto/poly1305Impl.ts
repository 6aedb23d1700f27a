/** The Poly1305 in use: the WebAssembly one (poly1305.ts), which clamps r itself. */
export { poly1305Mac as poly1305 } from './poly1305.ts';

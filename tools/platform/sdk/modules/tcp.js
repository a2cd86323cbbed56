// embedded:io/socket/tcp (implementation: runtime/tcp-socket.js).
export { default } from "../runtime/tcp-socket.js";

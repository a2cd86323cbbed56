// embedded:io/socket/listener (implementation: runtime/listener-socket.js).
export { default } from "../runtime/listener-socket.js";

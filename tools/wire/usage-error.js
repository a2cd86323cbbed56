// A command line the tool cannot read: the tools print its message (and how to get help) and
// exit with 2. Every tool and the platform layer's `npm start` throw this one.
export class UsageError extends Error {}

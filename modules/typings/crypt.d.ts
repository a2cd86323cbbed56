// @moddable/typings 5.6.0 has no declaration for the SDK's "crypt" module; this is the part the
// firmware uses (the SDK's own typings/crypt.d.ts is used by mcconfig builds).
declare module "crypt" {
  type DigestType = "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512";
  export class Digest {
    constructor(type: DigestType);
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}

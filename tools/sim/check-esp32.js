// npm run check:esp32: the JavaScript half of `mcconfig -d -m -p esp32` (manifest with its esp32
// sections, TypeScript, xsc, xsl preloading the flash image), without ESP-IDF (moddable.js).
import { checkEsp32, SdkMissing } from "./moddable.js";

try {
  const settings = process.argv.slice(2);
  process.exit(
    checkEsp32(settings.length ? settings : ["ssid=course-wifi", "password=secret"]) ?? 1,
  );
} catch (error) {
  console.error(`check:esp32: ${error.message}`);
  process.exit(error instanceof SdkMissing ? 2 : 1);
}

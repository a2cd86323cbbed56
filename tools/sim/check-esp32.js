// npm run check:esp32 [-- --platform esp32/<board>] [key=value…]: the parts of
// `mcconfig -d -m -p esp32` this machine can check without ESP-IDF (esp32-check.js). Exit 0 when
// they pass, 1 when they do not (or there is no SDK), 2 for a usage error.
import { checkEsp32 } from "./esp32-check.js";

const USAGE =
  "usage: npm run check:esp32 [-- --platform esp32|esp32/<board>] [key=value …] " +
  "(default settings ssid=course-wifi password=secret)";

function parse(args) {
  const settings = [];
  let platform = "esp32";
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--platform" && args[i + 1]) platform = args[++i];
    else if (arg.startsWith("--platform=")) platform = arg.slice(11);
    else if (/^\w+=/.test(arg)) settings.push(arg);
    else return null;
  }
  if (platform !== "esp32" && !platform.startsWith("esp32/")) return null;
  return {
    platform,
    settings: settings.length ? settings : ["ssid=course-wifi", "password=secret"],
  };
}

const options = parse(process.argv.slice(2));
if (!options) {
  console.error(USAGE);
  process.exit(2);
}
try {
  process.exit(checkEsp32(options.settings, { platform: options.platform }) ?? 1);
} catch (error) {
  console.error(`check:esp32: ${error.message}`);
  process.exit(1); // no SDK, or it failed: 2 is for usage errors only
}

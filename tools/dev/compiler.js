// The type-check and build of `npm run dev`: what `tsc -p tsconfig.firmware.json` does, through the
// TypeScript API in this process, kept between builds (a builder program, as `tsc --watch` keeps
// one): a save checks and emits the files it affects, not the whole project. A build with an error
// emits nothing, so the output folder keeps the last good build (tsc's --noEmitOnError).
import { join, relative, sep } from "node:path";
import ts from "typescript";

/** tsc's `--pretty false` line of a diagnostic, as file:line:col (relative to `root`). */
export function formatDiagnostic(diagnostic, root) {
  const category = ts.DiagnosticCategory[diagnostic.category].toLowerCase();
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  const what = `${category} TS${diagnostic.code}: ${text}`;
  if (!diagnostic.file || diagnostic.start === undefined) return what;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = relative(root, diagnostic.file.fileName).split(sep).join("/");
  return `${file}:${line + 1}:${character + 1}: ${what}`;
}

/**
 * A compiler for the project in `root` (its tsconfig.firmware.json).
 * @returns {{ outDir: string, build(): { ok: boolean, errors: string[], emitted: number } }}
 *   `outDir`: where the compiled firmware goes (the tsconfig's outDir, absolute)
 */
export function createCompiler(root, configName = "tsconfig.firmware.json") {
  const configPath = join(root, configName);
  /** Source files parsed by an earlier build, by file name: parsed again only when their text changed. */
  const parsed = new Map();
  let builder;
  let host;
  let optionsKey;

  const readConfig = () => {
    const problems = [];
    const config = ts.getParsedCommandLineOfConfigFile(
      configPath,
      { noEmitOnError: true },
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d) },
    );
    return { config, problems };
  };

  const makeHost = (options) => {
    const made = ts.createIncrementalCompilerHost(options);
    const getSourceFile = made.getSourceFile;
    made.getSourceFile = (fileName, languageVersion, ...rest) => {
      const text = ts.sys.readFile(fileName);
      const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
      const known = parsed.get(key);
      if (text !== undefined && known?.text === text) return known.file;
      const file = getSourceFile(fileName, languageVersion, ...rest);
      if (file && text !== undefined) parsed.set(key, { text, file });
      return file;
    };
    return made;
  };

  const first = readConfig().config;
  return {
    outDir: first?.options.outDir ?? join(root, "build", "firmware"),
    build() {
      const { config, problems } = readConfig();
      if (!config) {
        return { ok: false, errors: problems.map((d) => formatDiagnostic(d, root)), emitted: 0 };
      }
      const key = JSON.stringify(config.options);
      if (key !== optionsKey) {
        // A tsconfig that says something else: start over.
        optionsKey = key;
        parsed.clear();
        builder = undefined;
        host = makeHost(config.options);
      }
      builder = ts.createEmitAndSemanticDiagnosticsBuilderProgram(
        config.fileNames,
        config.options,
        host,
        builder,
        ts.getConfigFileParsingDiagnostics(config),
        config.projectReferences,
      );
      // As tsc: the configuration's and the options' problems, then the syntax, and only where
      // that is sound the types.
      let diagnostics = [
        ...builder.getConfigFileParsingDiagnostics(),
        ...builder.getOptionsDiagnostics(),
        ...builder.getSyntacticDiagnostics(),
      ];
      if (diagnostics.length === 0) {
        diagnostics = [...builder.getGlobalDiagnostics(), ...builder.getSemanticDiagnostics()];
      }
      let emitted = 0;
      if (!diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) {
        const result = builder.emit(undefined, (fileName, text, bom) => {
          emitted++;
          ts.sys.writeFile(fileName, text, bom);
        });
        diagnostics = [...diagnostics, ...result.diagnostics];
      }
      const sorted = ts.sortAndDeduplicateDiagnostics(diagnostics);
      return {
        ok: !sorted.some((d) => d.category === ts.DiagnosticCategory.Error),
        errors: sorted.map((d) => formatDiagnostic(d, root)),
        emitted,
      };
    },
  };
}

export { NdjsonOutput, METADATA_TAGS } from './ndjson.ts';
export { CsvOutput, CSV_HEADER, CSV_TIME_FORMATS } from './csv.ts';
export type { CsvOptions, CsvTimeFormat } from './csv.ts';
export type { SinkOptions } from './file-sink.ts';
export { renderHtmlReport } from './html.ts';
export { parseOutputSpecs, SUPPORTED_OUTPUTS } from './spec.ts';
export type { OutputKind, OutputSpec } from './spec.ts';

export type {
  ErrorBreakdownRow,
  RunReport,
  SummaryCheck,
  SummaryData,
  SummaryGroup,
  SummaryMetric,
  TimelinePoint,
} from './types.ts';
export { renderTextSummary } from './text.ts';
export type { ScenarioBreakdown, SummaryMode, TextSummaryOptions } from './text.ts';
export { summaryExportJson, toSummaryExport } from './export.ts';
export type { SummaryExport, SummaryExportGroup, SummaryExportMetric } from './export.ts';
export {
  humanizeBytes,
  humanizeDuration,
  humanizeDurationIn,
  humanizeRate,
  humanizeValue,
  toFixedNoTrailingZeros,
} from './format.ts';

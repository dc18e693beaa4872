/**
 * The benchmark's statistics and number formatting.
 */
'use strict';

/**
 * @param {number[]} values
 * @param {number} q in [0, 1].
 * @returns {number}
 */
const quantile = (values, q) => {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
/** @param {number[]} values */
const median = values => quantile(values, 0.5);
/**
 * @param {number} value
 * @param {number} [digits]
 */
const fmt = (value, digits = 1) =>
  Number.isFinite(value) ? value.toFixed(digits) : '—';

module.exports = { quantile, median, fmt };

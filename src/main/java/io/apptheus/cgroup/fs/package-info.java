/**
 * The cgroup file helpers shared by the v1 and v2 readers: a kernel file read with pread from
 * offset 0, the parsers of flat-keyed, nested-keyed and single-value files, block-device records,
 * and the process-count reader. Parsers carry a worked example of their input.
 *
 * <p>May import: {@code cgroup} (Stat, StatsBuffer, the reader contract and its exceptions).
 */
package io.apptheus.cgroup.fs;

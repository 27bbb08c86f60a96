package io.apptheus.metrics;

/**
 * Where the series built at scrape time go: a family, then its samples. Only
 * {@link PrometheusExposition} turns them into the Prometheus client's types, so that the rest of
 * the package names none of them.
 */
interface FamilySink {

    enum Type { COUNTER, GAUGE }

    /**
     * Starts a family. A counter's name is given without "_total" (its samples carry it), as the
     * Prometheus client wants it for both text formats.
     */
    void family(String name, Type type, String help);

    /** One sample of the family started last; the labels are the container's own, never copied. */
    void sample(String name, ContainerLabels labels, double value);

    /**
     * One family of a scrape, written into a sink (one {@link #family}, then its samples) when the
     * exposition reaches it.
     */
    @FunctionalInterface
    interface Source {
        void writeTo(FamilySink sink);
    }
}

package io.apptheus.logging;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Turns each console record into one {@link Logfmt} line (--log.format=logfmt, the default). A
 * filter rather than a formatter, because Quarkus lets an application add filters, not formatters:
 * it replaces the record's message by the whole line and drops its exception (folded into the
 * line), and the console pattern prints the message alone ({@code %s%n}). With --log.format=json it
 * leaves the record alone: the JSON formatter escapes it.
 */
@LoggingFilter(name = "apptheus-logfmt")
public final class LogfmtFilter implements Filter {

    /**
     * This process's id, read when Quarkus creates the filter at start-up. Not a static constant: a
     * native build initialises the application's classes at build time, so a static would hold the
     * builder's pid in every run of the executable.
     */
    private final long pid = ProcessHandle.current().pid();

    private final boolean json;

    public LogfmtFilter(@ConfigProperty(name = "quarkus.log.console.json.enabled", defaultValue = "false") boolean json) {
        this.json = json;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (json) {
            return true;
        }
        String msg = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String line = Logfmt.line(record.getInstant(), Logfmt.level(record.getLevel().getName()),
                Logfmt.shortName(record.getLoggerName()), msg == null ? "" : msg, pid, record.getThrown());
        if (record instanceof ExtLogRecord ext) {
            ext.setMessage(line, ExtLogRecord.FormatStyle.NO_FORMAT);
        } else {
            record.setMessage(line);
        }
        record.setParameters(null);
        record.setThrown(null);
        return true;
    }
}

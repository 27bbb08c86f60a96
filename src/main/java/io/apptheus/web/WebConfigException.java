package io.apptheus.web;

/**
 * A {@code --web.config.file} that cannot be served; the message names the file and the key. A
 * mistake in the file is a usage error (exit code 2); a file that is unsafe or whose key does not
 * match its certificate stops the agent with exit code 1, as other start-up failures do.
 */
public class WebConfigException extends Exception {

    /** What the file says cannot be served as written: exit code 2. */
    public static final int USAGE = 2;
    /** The files are unsafe (StrictModes) or their key and certificate do not belong together: exit code 1. */
    public static final int UNSAFE = 1;

    private final int exitCode;

    public WebConfigException(String message) {
        this(message, USAGE);
    }

    public WebConfigException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public WebConfigException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = USAGE;
    }

    public int exitCode() {
        return exitCode;
    }
}

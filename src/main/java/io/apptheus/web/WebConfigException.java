package io.apptheus.web;

/** A {@code --web.config.file} that cannot be served; the message names the file and the key. */
public class WebConfigException extends Exception {

    public WebConfigException(String message) {
        super(message);
    }

    public WebConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

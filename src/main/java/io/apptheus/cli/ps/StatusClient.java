package io.apptheus.cli.ps;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Fetches the local agent's status API over plain HTTP with java.base's HttpURLConnection. Not
 * java.net.http: that module is ~1.4 MB of code in the native executable for this one GET, and its
 * default client loads the JDK's CA certificates even for http URLs (a few hundred ms of a command
 * that must answer at once).
 */
final class StatusClient {

    static final String PATH = "/api/v1/containers";
    private static final Duration CONNECT = Duration.ofSeconds(2);
    private static final Duration ANSWER = Duration.ofSeconds(5);
    /** The API's answer for 10,000 containers is a few MB; anything far larger is not the API. */
    private static final int MAX_BODY = 64 << 20;

    private final String url;

    StatusClient(String baseUrl) {
        this.url = baseUrl + PATH;
    }

    String url() {
        return url;
    }

    /** The body of a 200 answer. */
    String fetch() throws NoAnswer, BadAnswer {
        URL u;
        try {
            u = URI.create(url).toURL();
        } catch (IllegalArgumentException | MalformedURLException e) {
            throw new NoAnswer(url + " is not a valid URL: " + e.getMessage());
        }
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) u.openConnection();
            c.setConnectTimeout((int) CONNECT.toMillis());
            c.setReadTimeout((int) ANSWER.toMillis());
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Accept", "application/json");
            int status = c.getResponseCode();
            if (status != 200) {
                throw new BadAnswer("the agent at " + url + " answered HTTP " + status
                        + (status == 404 ? " (an apptheus without the status API?)" : ""));
            }
            try (InputStream in = c.getInputStream()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                if (body.length > MAX_BODY) {
                    throw new BadAnswer("the answer at " + url + " is larger than " + (MAX_BODY >> 20) + " MB");
                }
                return new String(body, StandardCharsets.UTF_8);
            }
        } catch (SocketTimeoutException e) {
            // HttpURLConnection says which: "Connect timed out" or "Read timed out"
            boolean connecting = e.getMessage() != null && e.getMessage().toLowerCase().contains("connect");
            throw new NoAnswer("no agent answers at " + url + (connecting
                    ? " (connect timed out after " + CONNECT.toSeconds() + " s)"
                    : " (no answer within " + ANSWER.toSeconds() + " s)"));
        } catch (ConnectException e) {
            throw new NoAnswer("no agent answers at " + url + " (connection refused); is apptheus running?"
                    + " Give its address with --address HOST:PORT");
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw new NoAnswer("no agent answers at " + url + " (" + e + ")");
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** Nothing answered: exit 3. */
    static final class NoAnswer extends Exception {
        NoAnswer(String message) {
            super(message, null, false, false);
        }
    }

    /** Something answered, but not the status API: exit 4. */
    static final class BadAnswer extends Exception {
        BadAnswer(String message) {
            super(message, null, false, false);
        }
    }
}

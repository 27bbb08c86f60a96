package io.apptheus.cli.ps;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** Fetches the local agent's status API over plain HTTP (java.net.http). */
final class StatusClient {

    static final String PATH = "/api/v1/containers";
    private static final Duration CONNECT = Duration.ofSeconds(2);
    private static final Duration ANSWER = Duration.ofSeconds(5);

    private final HttpClient http;
    private final String url;

    StatusClient(String baseUrl) {
        this.url = baseUrl + PATH;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT)
                .followRedirects(HttpClient.Redirect.NEVER);
        SSLContext tls = plainHttpOnly();
        this.http = (tls != null ? b.sslContext(tls) : b).build();
    }

    /**
     * The client speaks plain HTTP only. Without an SSLContext of its own, java.net.http builds the
     * default one, which loads the JDK's CA certificates: a few hundred ms of a command that must
     * answer at once. (When the agent gets TLS, the client gets a real context for https.) Null
     * where this runtime has no TLS at all: the client's own default then decides.
     */
    private static SSLContext plainHttpOnly() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[0], new TrustManager[0], null);
            return ctx;
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    String url() {
        return url;
    }

    /** The body of a 200 answer. */
    String fetch() throws NoAnswer, BadAnswer {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER).header("Accept", "application/json")
                    .GET().build();
        } catch (IllegalArgumentException e) {
            throw new NoAnswer(url + " is not a valid URL: " + e.getMessage());
        }
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw new NoAnswer("no agent answers at " + url + " (connect timed out after " + CONNECT.toSeconds()
                    + " s)");
        } catch (HttpTimeoutException e) {
            throw new NoAnswer("no agent answers at " + url + " (no answer within " + ANSWER.toSeconds() + " s)");
        } catch (ConnectException e) {
            throw new NoAnswer("no agent answers at " + url + " (connection refused); is apptheus running?"
                    + " Give its address with --address HOST:PORT");
        } catch (IOException | IllegalArgumentException e) {
            throw new NoAnswer("no agent answers at " + url + " (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoAnswer("interrupted while asking " + url);
        }
        if (r.statusCode() != 200) {
            throw new BadAnswer("the agent at " + url + " answered HTTP " + r.statusCode()
                    + (r.statusCode() == 404 ? " (an apptheus without the status API?)" : ""));
        }
        return r.body();
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

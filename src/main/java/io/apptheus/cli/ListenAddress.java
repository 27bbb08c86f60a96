package io.apptheus.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code --web.listen-address} as Prometheus exporters write it: ":9091" (all interfaces),
 * "127.0.0.1:9091", "localhost:9091", "[::1]:9091".
 */
final class ListenAddress {

    private ListenAddress() {
    }

    static Map<String, String> toProperties(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("must be [HOST]:PORT, e.g. :9091");
        }
        String host = value.substring(0, colon);
        String port = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("an IPv6 host must be in brackets, e.g. [::1]:9091");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is out of range");
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.host", host.isEmpty() ? "0.0.0.0" : host);
        props.put("quarkus.http.port", Integer.toString(p));
        return props;
    }
}

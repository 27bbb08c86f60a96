package io.apptheus.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --web.listen-address} as Prometheus exporters write it: ":9091" (all interfaces),
 * "127.0.0.1:9091", "localhost:9091", "[::1]:9091". {@code apptheus.web.listen-address} lists them all
 * for {@code io.apptheus.web.HttpListeners}, which serves each; the first also becomes
 * quarkus.http.host and quarkus.http.port, the address Quarkus reports as its own.
 */
public final class ListenAddress {

    private ListenAddress() {
    }

    static Map<String, String> toProperties(List<String> values) {
        Map<String, String> props = new LinkedHashMap<>();
        List<String> normalised = new ArrayList<>();
        for (String value : values) {
            String[] hostPort = parse(value);
            String address = (hostPort[0].contains(":") ? "[" + hostPort[0] + "]" : hostPort[0]) + ":" + hostPort[1];
            if (normalised.contains(address)) {
                throw new IllegalArgumentException("address given twice");
            }
            normalised.add(address);
            if (props.isEmpty()) {
                props.put("quarkus.http.host", hostPort[0]);
                props.put("quarkus.http.port", hostPort[1]);
            }
        }
        props.put("apptheus.web.listen-address", String.join(",", normalised));
        return props;
    }

    /** Host (0.0.0.0 for all interfaces, IPv6 without brackets) and port of "[HOST]:PORT". */
    public static String[] parse(String value) {
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
        return new String[] {host.isEmpty() ? "0.0.0.0" : host, Integer.toString(p)};
    }
}

package io.apptheus.config;

import java.util.ArrayList;
import java.util.List;

/** The ';'-separated list of {@code --trust.path}; blank entries are ignored. */
public final class TrustList {

    private TrustList() {
    }

    public static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(";")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }
}

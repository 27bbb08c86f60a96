package io.apptheus.proc;

/**
 * What Apptainer's starter says it runs, from its process title in /proc/PID/cmdline (argv
 * overwritten by the starter, NULs read as spaces by {@link ProcReader#cmdline}):
 *
 * <pre>
 * Apptainer instance: alice [web1]      an instance, "apptainer instance start IMAGE web1" by alice
 * Apptainer runtime parent              a plain "apptainer run/exec/shell"
 * Singularity instance: alice [web1]    the same from SingularityCE (and Apptainer's compat name)
 * </pre>
 *
 * Anything else (an older starter, a renamed binary) is {@link Kind#UNKNOWN}. The names come from
 * the starter's user: each is cut to a bound ({@link UserStrings#cut}), and a title cut by the read
 * bound before its closing {@code ]} still names its instance (cut).
 *
 * @param instance the instance name, empty unless {@link Kind#INSTANCE}
 * @param user     the user name in an instance's title, empty otherwise
 */
public record StarterTitle(Kind kind, String instance, String user) {

    public enum Kind {
        INSTANCE, RUN, UNKNOWN;

        /** Lower-case, as written in the status API. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final StarterTitle UNKNOWN = new StarterTitle(Kind.UNKNOWN, "", "");

    private static final String[] PRODUCTS = {"Apptainer", "Singularity"};

    /** As {@link #parse(String, int)} with the default bound of 128 bytes per name. */
    public static StarterTitle parse(String cmdline) {
        return parse(cmdline, UserStrings.DEFAULT_VALUE_BYTES);
    }

    /** @param maxNameBytes the cut of the instance and user names (UTF-8 bytes) */
    public static StarterTitle parse(String cmdline, int maxNameBytes) {
        String t = cmdline.strip();
        for (String product : PRODUCTS) {
            if (t.equals(product + " runtime parent")) {
                return new StarterTitle(Kind.RUN, "", "");
            }
            String prefix = product + " instance: ";
            if (t.startsWith(prefix)) {
                String rest = t.substring(prefix.length());
                int open = rest.indexOf(" [");
                if (open > 0) {
                    String name = rest.substring(open + 2, rest.endsWith("]") ? rest.length() - 1 : rest.length());
                    if (!name.isEmpty()) {
                        return new StarterTitle(Kind.INSTANCE, UserStrings.cut(name, maxNameBytes),
                                UserStrings.cut(rest.substring(0, open), maxNameBytes));
                    }
                }
            }
        }
        return UNKNOWN;
    }
}

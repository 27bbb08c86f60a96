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
 * Anything else (an older starter, a renamed binary) is {@link Kind#UNKNOWN}.
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

    public static StarterTitle parse(String cmdline) {
        String t = cmdline.strip();
        for (String product : PRODUCTS) {
            if (t.equals(product + " runtime parent")) {
                return new StarterTitle(Kind.RUN, "", "");
            }
            String prefix = product + " instance: ";
            if (t.startsWith(prefix) && t.endsWith("]")) {
                String rest = t.substring(prefix.length());
                int open = rest.indexOf(" [");
                if (open > 0) {
                    String name = rest.substring(open + 2, rest.length() - 1);
                    if (!name.isEmpty()) {
                        return new StarterTitle(Kind.INSTANCE, name, rest.substring(0, open));
                    }
                }
            }
        }
        return UNKNOWN;
    }
}

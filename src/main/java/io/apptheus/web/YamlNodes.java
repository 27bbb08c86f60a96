package io.apptheus.web;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reading a YAML file as SnakeYAML's node tree (composed, never constructed into objects: no
 * reflection, no implicit types), with errors that name the file, the key path and the line.
 */
final class YamlNodes {

    private final Path file;

    YamlNodes(Path file) {
        this.file = file;
    }

    /** The document's root node; null for an empty document. One document only. */
    Node compose(String text) throws WebConfigException {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new WebConfigException(prefix() + "malformed YAML at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1) + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new WebConfigException(prefix() + "malformed YAML: " + e.getMessage());
        }
    }

    /** A mapping's entries by key, in file order; keys must be plain scalars and unique. */
    Map<String, Node> mapping(Node n, String where) throws WebConfigException {
        if (!(n instanceof MappingNode map)) {
            throw fail(where, n, "must be a mapping of keys to values");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw fail(where, t.getKeyNode(), "keys must be plain names");
            }
            if (out.put(k.getValue(), t.getValueNode()) != null) {
                throw fail(where.equals("the top level") ? k.getValue() : where + "." + k.getValue(), k,
                        "given twice");
            }
        }
        return out;
    }

    /** {@code m[key]} as a string; empty when absent, null or "" (Go's zero value). */
    Optional<String> string(Map<String, Node> m, String where, String key) throws WebConfigException {
        Node n = m.get(key);
        if (n == null || isNull(n)) {
            return Optional.empty();
        }
        String v = scalar(n, where + "." + key);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /** {@code m[key]} as YAML 1.1 writes a boolean (true/false, yes/no, on/off). */
    boolean bool(Map<String, Node> m, String where, String key) throws WebConfigException {
        String v = scalar(m.get(key), where + "." + key);
        return switch (v) {
            case "true", "True", "TRUE", "yes", "on" -> true;
            case "false", "False", "FALSE", "no", "off" -> false;
            default -> throw fail(where + "." + key, m.get(key), "must be true or false");
        };
    }

    String scalar(Node n, String where) throws WebConfigException {
        if (!(n instanceof ScalarNode s) || isNull(n)) {
            throw fail(where, n, "must be a single value");
        }
        return s.getValue();
    }

    /** {@code ~}, {@code null} or nothing at all. */
    static boolean isNull(Node n) {
        return n instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    WebConfigException fail(String where, Node node, String message) {
        String line = node == null ? "" : " (line " + (node.getStartMark().getLine() + 1) + ")";
        return new WebConfigException(prefix() + where + line + ": " + message);
    }

    private String prefix() {
        return "web config " + file + ": ";
    }
}

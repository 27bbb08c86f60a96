package io.apptheus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

class StatusJsonTest {

    @Test
    void theWholeListAsDocumented() {
        JsonObject json = StatusJson.list(Views.AGENT, Views.NODE, Views.NOW, List.of(Views.web1()), true);
        assertEquals("""
                {
                  "time" : "2025-11-24T16:00:00Z",
                  "agent" : {
                    "version" : "0.1.0",
                    "revision" : "1beedc3",
                    "interval_seconds" : 0.5,
                    "retain_exited_seconds" : 60.0
                  },
                  "node" : {
                    "hostname" : "node17",
                    "cpus" : 64,
                    "memory_bytes" : 274877906944
                  },
                  "containers" : [ {
                    "id" : "/metric_gateway/starter_4242",
                    "name" : "starter_4242",
                    "pid" : 4242,
                    "uid" : 1000,
                    "user" : "alice",
                    "launch" : "instance",
                    "instance" : "web1",
                    "state" : "running",
                    "start_time" : "2025-11-24T15:54:48Z",
                    "uptime_seconds" : 312.0,
                    "last_seen" : "2025-11-24T15:59:59.800Z",
                    "cpu" : {
                      "cores" : 1.982,
                      "usage_seconds_total" : 512.25
                    },
                    "memory" : {
                      "working_set_bytes" : 50331648,
                      "usage_bytes" : 62914560,
                      "limit_bytes" : 2147483648
                    },
                    "io" : {
                      "read_bytes_per_second" : 0,
                      "write_bytes_per_second" : 1258291,
                      "read_bytes_total" : 1048576,
                      "write_bytes_total" : 10485760
                    },
                    "tasks" : {
                      "processes" : 2,
                      "threads" : 3
                    },
                    "pressure" : {
                      "cpu_waiting" : 0.012,
                      "memory_waiting" : 0.0
                    },
                    "history" : {
                      "step_seconds" : 2.0,
                      "seconds_ago" : [ 4.2, 2.2, 0.2 ],
                      "cpu_cores" : [ 1.5, 1.9, 2.0 ],
                      "memory_working_set_bytes" : [ 41943040, 46137344, 50331648 ]
                    }
                  } ]
                }""", json.encodePrettily());
    }

    @Test
    void unmeasuredValuesAreLeftOutAndNoLimitIsNull() {
        JsonObject c = StatusJson.container(Views.plainRun(), Views.NOW, false);
        assertEquals("run", c.getString("launch"));
        assertTrue(c.containsKey("instance") && c.getValue("instance") == null, "a plain run has no instance");
        assertTrue(c.getJsonObject("memory").containsKey("limit_bytes"));
        assertNull(c.getJsonObject("memory").getValue("limit_bytes"), "no limit");
        assertEquals(new JsonObject(), c.getJsonObject("io"), "no io controller: nothing measured");
        assertFalse(c.containsKey("history"), "history only when asked for");
    }

    @Test
    void anExitedContainerHasValuesButNoRates() {
        JsonObject c = StatusJson.container(Views.exited(), Views.NOW, false);
        assertEquals("exited-retained", c.getString("state"));
        assertFalse(c.getJsonObject("cpu").containsKey("cores"));
        assertEquals(3.0, c.getJsonObject("cpu").getDouble("usage_seconds_total"));
        assertEquals(60.0, c.getDouble("uptime_seconds"));
    }

    @Test
    void anErrorIsOneMessage() {
        assertEquals("{\"error\":\"no container named \\\"x\\\" is monitored\"}",
                StatusJson.error("no container named \"x\" is monitored").encode());
    }
}

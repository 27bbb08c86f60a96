package io.apptheus.web;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a PEM private key belongs to a certificate's public key: the key signs a few bytes and
 * the certificate's key verifies them. Reads the three PEM forms OpenSSL writes and the TLS stack
 * accepts: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1
 * ({@code BEGIN EC PRIVATE KEY}), the last two wrapped into PKCS#8 here (RFC 5208, RFC 5915) so
 * that the JDK's KeyFactory takes them. Pure.
 */
final class KeyPairCheck {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** DER of rsaEncryption (1.2.840.113549.1.1.1) and id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
        0x01, 0x01};
    private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] NULL = {0x05, 0x00};
    private static final byte[] PROBE = "apptheus key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private KeyPairCheck() {
    }

    /** The outcome: a match, a mismatch, or a key this check cannot read (left to the TLS stack). */
    enum Outcome { MATCH, MISMATCH, UNKNOWN }

    static Outcome check(String keyPem, PublicKey certificateKey) {
        PrivateKey key;
        try {
            key = privateKey(keyPem);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Outcome.UNKNOWN;
        }
        if (key == null) {
            return Outcome.UNKNOWN;
        }
        String alg = key.getAlgorithm();
        if (!alg.equals(certificateKey.getAlgorithm())) {
            return Outcome.MISMATCH; // an EC key for an RSA certificate
        }
        String sig = switch (alg) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> alg;
            default -> null;
        };
        if (sig == null) {
            return Outcome.UNKNOWN;
        }
        Signature s;
        Signature v;
        try {
            s = Signature.getInstance(sig);
            v = Signature.getInstance(sig);
        } catch (java.security.NoSuchAlgorithmException e) {
            return Outcome.UNKNOWN; // a runtime without it (a native image's providers): the TLS stack decides
        }
        try {
            s.initSign(key);
            s.update(PROBE);
            byte[] signature = s.sign();
            v.initVerify(certificateKey);
            v.update(PROBE);
            return v.verify(signature) ? Outcome.MATCH : Outcome.MISMATCH;
        } catch (GeneralSecurityException | RuntimeException e) {
            return Outcome.MISMATCH;
        }
    }

    /** The first private key block of the PEM text, or null if it has none. */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            return null;
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        byte[] pkcs8 = switch (m.group(1)) {
            case "RSA PRIVATE KEY" -> seq(der(0x02, new byte[] {0}), seq(RSA_OID, NULL), der(0x04, der));
            case "EC PRIVATE KEY" -> seq(der(0x02, new byte[] {0}), seq(EC_OID, curveOf(der)), der(0x04, der));
            default -> der;
        };
        GeneralSecurityException last = null;
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /**
     * The curve's OID (tag 06, whole TLV) from SEC1's {@code ECPrivateKey ::= SEQUENCE { version,
     * privateKey OCTET STRING, [0] parameters, [1] publicKey }}.
     */
    static byte[] curveOf(byte[] sec1) {
        Der d = new Der(sec1, 0);
        Der seq = d.enter(0x30);
        seq.skip(0x02); // version
        seq.skip(0x04); // privateKey
        if (!seq.atEnd() && (seq.peek() & 0xff) == 0xa0) {
            Der params = seq.enter(0xa0);
            return params.whole(0x06);
        }
        throw new IllegalArgumentException("SEC1 key without its curve");
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return der(0x30, b.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = content.length;
        if (n < 0x80) {
            b.write(n);
        } else {
            int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
            b.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                b.write(n >>> (8 * i));
            }
        }
        b.writeBytes(content);
        return b.toByteArray();
    }

    /** A cursor over DER TLVs, just enough for SEC1. */
    private static final class Der {
        private final byte[] b;
        private int i;
        private final int end;

        Der(byte[] b, int from) {
            this(b, from, b.length);
        }

        private Der(byte[] b, int from, int end) {
            this.b = b;
            this.i = from;
            this.end = end;
        }

        boolean atEnd() {
            return i >= end;
        }

        int peek() {
            return b[i];
        }

        private int[] header(int tag) {
            if (i + 2 > end || (b[i] & 0xff) != tag) {
                throw new IllegalArgumentException("DER: expected tag " + tag);
            }
            int at = i + 1;
            int len = b[at++] & 0xff;
            if (len >= 0x80) {
                int n = len & 0x7f;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("DER: bad length");
                }
                len = 0;
                for (int k = 0; k < n; k++) {
                    len = (len << 8) | (b[at++] & 0xff);
                }
            }
            if (at + len > end) {
                throw new IllegalArgumentException("DER: truncated");
            }
            return new int[] {at, len};
        }

        Der enter(int tag) {
            int[] h = header(tag);
            i = h[0] + h[1];
            return new Der(b, h[0], h[0] + h[1]);
        }

        void skip(int tag) {
            int[] h = header(tag);
            i = h[0] + h[1];
        }

        byte[] whole(int tag) {
            int start = i;
            int[] h = header(tag);
            i = h[0] + h[1];
            return java.util.Arrays.copyOfRange(b, start, i);
        }
    }
}

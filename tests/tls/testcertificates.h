#pragma once

// Made by tests/tls/make-certificates.sh: a test CA and leaves it signed, one key.
inline constexpr char s_caCertificatePem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBojCCAUmgAwIBAgIURhslwo96toGEC7oCtA8cRaLwP2wwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTU3RyZWFtc2NvcGUgVGVzdCBDQTAgFw0yNjExMjIwNjIyNTha\n"
    "GA8yMTI2MTAyOTA2MjI1OFowHjEcMBoGA1UEAwwTU3RyZWFtc2NvcGUgVGVzdCBD\n"
    "QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJYmVeKo6Ad10Zc5Sei8EHy9eK/L\n"
    "TNSkFMq4pnY07Z+yrfiKard0xkdreZCZlVu8+NAHQ9cDUDET1Bt0kc6/kGajYzBh\n"
    "MB0GA1UdDgQWBBS3hVMmCbK1gZ+BNprlX6+weDMaijAfBgNVHSMEGDAWgBS3hVMm\n"
    "CbK1gZ+BNprlX6+weDMaijAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIB\n"
    "BjAKBggqhkjOPQQDAgNHADBEAiAdZ8uiuZMsz3ZknpT8nTOc24sLwkHmfvbY1hA/\n"
    "MovZSQIgdLNDsPkQkJXswhYD8SKV8l69j9xeK5kK+PGS/fuSNho=\n"
    "-----END CERTIFICATE-----\n"
    ;
inline constexpr char s_goodCertificatePem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBtDCCAVqgAwIBAgICEAAwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTU3RyZWFt\n"
    "c2NvcGUgVGVzdCBDQTAgFw0yNDAxMDEwMDAwMDBaGA8yMTI0MDEwMTAwMDAwMFow\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "wYeaLqGngua+UAByRM2HG6dwUFGQ+mYkg7Ym98GKQF5sIoExnr6lvTfrSlxadkuI\n"
    "2QT6HzWRai1eZAFNjmlgP6OBjzCBjDAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIH\n"
    "gDATBgNVHSUEDDAKBggrBgEFBQcDATAaBgNVHREEEzARhwR/AAABgglsb2NhbGhv\n"
    "c3QwHQYDVR0OBBYEFKHf+uqENlECosxkDXKjB6gdL2IKMB8GA1UdIwQYMBaAFLeF\n"
    "UyYJsrWBn4E2muVfr7B4MxqKMAoGCCqGSM49BAMCA0gAMEUCIDT7nG9Qc55wDhQ9\n"
    "kavkvO8dj63a68GiwO4kA6W2kmMlAiEAjzI7KooCkJUDpWEezYtBxiagt1CICBTj\n"
    "3cTSvIz77Q8=\n"
    "-----END CERTIFICATE-----\n"
    ;
inline constexpr char s_wronghostCertificatePem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBtjCCAVygAwIBAgICEAEwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTU3RyZWFt\n"
    "c2NvcGUgVGVzdCBDQTAgFw0yNDAxMDEwMDAwMDBaGA8yMTI0MDEwMTAwMDAwMFow\n"
    "GDEWMBQGA1UEAwwNd3JvbmcuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEH\n"
    "A0IABMGHmi6hp4LmvlAAckTNhxuncFBRkPpmJIO2JvfBikBebCKBMZ6+pb0360pc\n"
    "WnZLiNkE+h81kWotXmQBTY5pYD+jgY0wgYowCQYDVR0TBAIwADAOBgNVHQ8BAf8E\n"
    "BAMCB4AwEwYDVR0lBAwwCgYIKwYBBQUHAwEwGAYDVR0RBBEwD4INd3JvbmcuZXhh\n"
    "bXBsZTAdBgNVHQ4EFgQUod/66oQ2UQKizGQNcqMHqB0vYgowHwYDVR0jBBgwFoAU\n"
    "t4VTJgmytYGfgTaa5V+vsHgzGoowCgYIKoZIzj0EAwIDSAAwRQIhALRPmKyovVz2\n"
    "smJGaRc+ajWQfsmtB5GtNFDXrgKlPHakAiBO+RTZz6TgbOJZD1OyGr8k7ODgOJJ+\n"
    "pMa6Sd2vhz9s/g==\n"
    "-----END CERTIFICATE-----\n"
    ;
inline constexpr char s_expiredCertificatePem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBszCCAVigAwIBAgICEAIwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTU3RyZWFt\n"
    "c2NvcGUgVGVzdCBDQTAeFw0xOTAxMDEwMDAwMDBaFw0yMDAxMDEwMDAwMDBaMBQx\n"
    "EjAQBgNVBAMMCTEyNy4wLjAuMTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMGH\n"
    "mi6hp4LmvlAAckTNhxuncFBRkPpmJIO2JvfBikBebCKBMZ6+pb0360pcWnZLiNkE\n"
    "+h81kWotXmQBTY5pYD+jgY8wgYwwCQYDVR0TBAIwADAOBgNVHQ8BAf8EBAMCB4Aw\n"
    "EwYDVR0lBAwwCgYIKwYBBQUHAwEwGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0\n"
    "MB0GA1UdDgQWBBSh3/rqhDZRAqLMZA1yoweoHS9iCjAfBgNVHSMEGDAWgBS3hVMm\n"
    "CbK1gZ+BNprlX6+weDMaijAKBggqhkjOPQQDAgNJADBGAiEAkW8V1ko/25i9F4s6\n"
    "p3trkUgiFNQ/Vsg9QQ54mvPfdI4CIQCF0RAwW8/daAdmq/022eTDojsrC55ZdG+N\n"
    "s4NL+I6xuA==\n"
    "-----END CERTIFICATE-----\n"
    ;
inline constexpr char s_leafKeyPem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIODUaC2V3VkWQNBkuKqNTRJ+3+lPDPNzUTetMlOGC4pDoAoGCCqGSM49\n"
    "AwEHoUQDQgAEwYeaLqGngua+UAByRM2HG6dwUFGQ+mYkg7Ym98GKQF5sIoExnr6l\n"
    "vTfrSlxadkuI2QT6HzWRai1eZAFNjmlgPw==\n"
    "-----END EC PRIVATE KEY-----\n"
    ;

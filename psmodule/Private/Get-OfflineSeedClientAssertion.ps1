function Get-OfflineSeedClientAssertion {
    <#
    .SYNOPSIS
    Signs a client assertion with the certificate-store key of a credential profile (Windows).

    .DESCRIPTION
    New-OfflineSeedCredential keeps the application's key in the Windows certificate store, not
    exportable, so the engine cannot read it. For such a profile this function signs the sign-in
    itself: a JWT client assertion (RS256, x5t = the certificate's SHA-1 thumbprint, audience = the
    tenant's token endpoint, valid 10 minutes) signed by the store key through .NET, which never
    exports it. The assertion goes to the engine as a SecureString (clientAssertion). Returns nothing
    when the profile is not found, keeps its key in a PEM file, or this is not Windows: the engine then
    uses the profile itself or explains what is missing.

    .PARAMETER Name
    Name of the credential profile.

    .PARAMETER ProfilePath
    Only this profile file. Default: the user's profile, then the machine's.

    .PARAMETER Environment
    Azure cloud (for the token endpoint's host). Default: the profile's, else AzureCloud.
    #>
    [CmdletBinding()]
    [OutputType([System.Security.SecureString])]
    param(
        [Parameter(Mandatory)]
        [string] $Name,

        [Parameter()]
        [string] $ProfilePath,

        [Parameter()]
        [string] $Environment
    )

    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) { return }
    $paths = @()
    if (-not [string]::IsNullOrEmpty($ProfilePath)) {
        $paths = @($ProfilePath)
    } else {
        $paths = @((Join-Path -Path $env:APPDATA -ChildPath 'OfflineSeed\profile.json'), (Join-Path -Path $env:ProgramData -ChildPath 'OfflineSeed\profile.json'))
    }
    $entry = $null
    foreach ($path in $paths) {
        if ($null -ne $entry -or -not (Test-Path -LiteralPath $path -PathType Leaf)) { continue }
        $saved = Get-Content -LiteralPath $path -Raw -Encoding UTF8 | ConvertFrom-Json
        if ($null -ne $saved.credentials -and $null -ne $saved.credentials.$Name) { $entry = $saved.credentials.$Name }
    }
    if ($null -eq $entry -or [string]::IsNullOrEmpty([string]$entry.certificateStore)) { return }

    $store = 'Cert:\{0}\{1}' -f [string]$entry.certificateStore, [string]$entry.certificateThumbprint
    $certificate = Get-Item -LiteralPath $store -ErrorAction Stop
    $cloud = [string]$entry.environment
    if (-not [string]::IsNullOrEmpty($Environment)) { $cloud = $Environment }
    $authority = 'https://login.microsoftonline.com'
    if ($cloud -eq 'AzureUSGovernment') { $authority = 'https://login.microsoftonline.us' }
    if ($cloud -eq 'AzureChinaCloud') { $authority = 'https://login.chinacloudapi.cn' }
    if (-not [string]::IsNullOrEmpty($env:AZURE_AUTHORITY_HOST)) { $authority = $env:AZURE_AUTHORITY_HOST.TrimEnd('/') }

    $utf8 = [System.Text.Encoding]::UTF8
    $now = [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $header = [ordered]@{ alg = 'RS256'; typ = 'JWT'; x5t = (ConvertTo-OfflineSeedBase64Url -Bytes $certificate.GetCertHash()) }
    $claims = [ordered]@{
        aud = '{0}/{1}/oauth2/v2.0/token' -f $authority, [string]$entry.tenantId
        iss = [string]$entry.clientId
        sub = [string]$entry.clientId
        jti = [System.Guid]::NewGuid().ToString()
        nbf = $now - 60
        exp = $now + 600
    }
    $headerPart = ConvertTo-OfflineSeedBase64Url -Bytes $utf8.GetBytes(($header | ConvertTo-Json -Compress))
    $claimsPart = ConvertTo-OfflineSeedBase64Url -Bytes $utf8.GetBytes(($claims | ConvertTo-Json -Compress))
    $unsigned = '{0}.{1}' -f $headerPart, $claimsPart
    $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($certificate)
    try {
        $signature = $rsa.SignData($utf8.GetBytes($unsigned), [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    } finally {
        $rsa.Dispose()
    }
    $assertion = New-Object -TypeName System.Security.SecureString
    foreach ($character in ('{0}.{1}' -f $unsigned, (ConvertTo-OfflineSeedBase64Url -Bytes $signature)).ToCharArray()) { $assertion.AppendChar($character) }
    $assertion.MakeReadOnly()
    return $assertion
}

function Write-OfflineSeedRequest {
    <#
    .SYNOPSIS
    Writes the request line to the engine's stdin as UTF-8 bytes, putting each secret in place at the
    moment of writing.

    .DESCRIPTION
    RequestJson is the compressed request with a placeholder string where each SecureString goes;
    Secret maps each placeholder to its SecureString. The JSON text is written in pieces: the text up to
    a placeholder, then the secret as a JSON string built straight from a BSTR into a char buffer, then
    the rest, then a newline. No managed string ever holds a secret: the BSTR is freed with
    ZeroFreeBSTR and the char and byte buffers are cleared once written. Writing bytes to BaseStream
    (instead of the StreamWriter) is what makes Windows PowerShell 5.1 send UTF-8 without a BOM.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [System.IO.Stream] $Stream,

        [Parameter(Mandatory)]
        [string] $RequestJson,

        [Parameter()]
        [System.Collections.IDictionary] $Secret = @{}
    )

    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $slots = [System.Collections.Generic.List[object]]::new()
    foreach ($token in @($Secret.Keys)) {
        $quoted = '"' + [string]$token + '"'
        $at = $RequestJson.IndexOf($quoted, [System.StringComparison]::Ordinal)
        if ($at -lt 0) { throw [System.InvalidOperationException]::new('OfflineSeed bridge: a secret placeholder is missing from the request.') }
        $slots.Add([pscustomobject]@{ At = $at; Length = $quoted.Length; Value = $Secret[$token] })
    }
    $ordered = @($slots | Sort-Object -Property At)

    $position = 0
    foreach ($slot in $ordered) {
        $plain = $utf8.GetBytes($RequestJson.Substring($position, $slot.At - $position))
        $Stream.Write($plain, 0, $plain.Length)
        Write-OfflineSeedSecureJsonString -Stream $Stream -Value $slot.Value
        $position = $slot.At + $slot.Length
    }
    $tail = $utf8.GetBytes($RequestJson.Substring($position) + "`n")
    $Stream.Write($tail, 0, $tail.Length)
    $Stream.Flush()
}

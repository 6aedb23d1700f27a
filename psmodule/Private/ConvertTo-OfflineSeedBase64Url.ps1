function ConvertTo-OfflineSeedBase64Url {
    <#
    .SYNOPSIS
    Encodes bytes as base64url without padding (the encoding of JWT segments).

    .DESCRIPTION
    RFC 7515: base64 with '-' and '_' for '+' and '/', and no trailing '='.

    .PARAMETER Bytes
    The bytes to encode.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [byte[]] $Bytes
    )

    return [System.Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}
